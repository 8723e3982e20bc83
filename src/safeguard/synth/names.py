"""Name lists for the synthetic force: forenames by sex and generation, with the nicknames and
alternative spellings partner agencies actually record, and surnames with rough frequencies.

Weights are relative. They are shaped after the ONS baby-name tables and the frequency of
surnames in England and Wales (Smith about 1.2% of people, then Jones, Williams, Taylor ...),
rounded; they are not copied from any table. Corby's Scottish and the area's Polish, South Asian
and Irish communities are represented.
"""

from __future__ import annotations


def _parse(text: str) -> list[tuple[str, float]]:
    out = []
    for item in text.split():
        name, _, w = item.partition(":")
        out.append((name.replace("_", " "), float(w or 1)))
    return out


# Adults born roughly 1960-2005.
MALE_ADULT = _parse("""
David:9 Paul:8 Andrew:8 Mark:8 John:7 Michael:8 Stephen:6 Ian:4 Robert:6 Richard:5 Christopher:8
Peter:4 Simon:4 Daniel:9 James:9 Matthew:7 Lee:5 Darren:4 Craig:4 Gary:4 Wayne:3 Jason:3 Scott:4
Carl:3 Dean:3 Anthony:5 Thomas:6 Adam:5 Ryan:6 Jamie:4 Liam:5 Luke:5 Ashley:2 Jonathan:4 Kevin:3
Neil:3 Martin:3 Stuart:3 Shaun:3 Kieran:3 Jack:5 Joshua:4 Samuel:4 Benjamin:3 Nathan:4 Aaron:3
Connor:3 Callum:3 Jordan:3 Bradley:3 Joseph:4 Alexander:3 William:3 Nicholas:3 Sean:3 Karl:2
Steven:4 Gareth:2 Philip:3 Mohammed:3 Piotr:1 Tomasz:1 Marcin:1 Kamil:1 Alistair:1 Fraser:1 Euan:1
Iain:1 Graeme:1 Kenneth:1 Colin:2 Barry:2 Terry:1 Dale:1 Reece:2 Kyle:2 Jake:3 Lewis:3 Sam:1
Harvey:1 Josh:1 Imran:1 Arjun:1 Ravi:1 Declan:1 Patrick:2 Edward:2 Charles:1 Henry:1 Frederick:1
""")

FEMALE_ADULT = _parse("""
Sarah:8 Emma:8 Claire:6 Nicola:6 Lisa:5 Laura:7 Rebecca:6 Gemma:5 Kelly:5 Michelle:5 Louise:5
Joanne:4 Rachel:5 Amy:6 Kirsty:4 Hayley:4 Stacey:4 Natalie:4 Samantha:5 Victoria:5 Jennifer:4
Elizabeth:4 Charlotte:5 Katie:4 Jade:5 Danielle:4 Leanne:3 Zoe:3 Jessica:4 Hannah:4 Sophie:4
Lauren:5 Chloe:4 Amber:2 Megan:3 Shannon:3 Kayleigh:3 Chelsea:2 Karen:3 Julie:3 Tracey:3 Donna:2
Susan:2 Helen:3 Catherine:3 Anna:2 Agnieszka:1 Katarzyna:1 Joanna:2 Aleksandra:1 Fatima:1 Aisha:1
Priya:1 Kimberley:2 Abigail:2 Eleanor:2 Alexandra:2 Kerry:2 Stephanie:3 Carly:2 Toni:1 Siobhan:1
Fiona:1 Morag:1 Shona:1 Ellie:2 Holly:2 Georgia:2 Bethany:2 Naomi:1 Margaret:1 Deborah:2
""")

# Children born roughly 2005-2026.
MALE_CHILD = _parse("""
Oliver:8 Jack:8 Harry:7 George:6 Noah:6 Charlie:6 Jacob:5 Alfie:5 Freddie:5 Oscar:5 Leo:6 Logan:4
Archie:5 Theo:5 Thomas:5 James:5 Joshua:4 William:4 Henry:4 Max:4 Isaac:3 Lucas:4 Ethan:4 Mason:4
Riley:4 Finley:3 Tyler:3 Harrison:3 Dylan:3 Jayden:2 Kai:2 Reggie:2 Tommy:3 Arthur:4 Teddy:3
Ronnie:2 Albie:2 Louie:2 Frankie:2 Jenson:2 Bobby:2 Muhammad:3 Liam:2 Daniel:3 Samuel:3
Alexander:3 Benjamin:2 Lewis:2 Callum:2 Kacper:1 Jakub:1 Szymon:1 Zac:2 Toby:2 Jude:2 Rory:2
Elliot:2 Ollie:1 Luca:2 Hunter:1 Brody:1 Connor:2 Kian:1 Harley:1 Jaxon:1 Ryan:2 Aiden:2 Edward:2
""")

FEMALE_CHILD = _parse("""
Olivia:8 Amelia:8 Isla:6 Ava:6 Mia:6 Emily:6 Isabella:5 Sophia:5 Grace:5 Lily:6 Poppy:5 Evie:5
Ella:5 Freya:5 Sophie:4 Ruby:4 Charlotte:4 Daisy:4 Millie:4 Scarlett:3 Phoebe:3 Evelyn:3 Chloe:3
Jessica:3 Alice:3 Harper:3 Willow:3 Ivy:3 Rosie:3 Lacey:2 Maisie:3 Megan:2 Holly:2 Erin:2 Layla:3
Lola:2 Hallie:2 Bella:2 Eva:3 Matilda:3 Esme:2 Zara:2 Maya:2 Amelie:2 Elsie:3 Lexi:2 Paige:2
Summer:2 Skye:1 Zuzanna:1 Julia:1 Lena:1 Eleanor:2 Florence:3 Aria:2 Luna:2 Ayesha:1 Nevaeh:1
Kayla:1 Leah:2 Hollie:1 Niamh:1 Ellie:3 Katie:2 Abigail:2 Elizabeth:2 Victoria:1 Rebecca:1
""")

MIDDLE_MALE = "James John William Thomas David Michael Robert Lee Paul Alexander Edward Anthony Peter George Joseph Jack Ryan Daniel".split()
MIDDLE_FEMALE = "Louise Marie Jane Elizabeth Ann Rose Grace May Victoria Jade Anne Kate Leigh Emily Mae Lily Amelia".split()

# Forms a person is really called by, which some source records instead of the legal name.
NICKNAMES: dict[str, list[str]] = {
    "Daniel": ["Dan", "Danny"],
    "David": ["Dave", "Davie"],
    "Michael": ["Mike", "Mick", "Mikey"],
    "Christopher": ["Chris"],
    "Stephen": ["Steve"],
    "Steven": ["Steve", "Stevie"],
    "Andrew": ["Andy", "Drew"],
    "Robert": ["Rob", "Bob", "Robbie"],
    "Richard": ["Rich", "Rick"],
    "Anthony": ["Tony", "Ant"],
    "Thomas": ["Tom", "Tommy"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "Jonathan": ["Jon", "Jonny"],
    "Matthew": ["Matt"],
    "Nicholas": ["Nick", "Nicky"],
    "William": ["Will", "Bill", "Billy"],
    "Joseph": ["Joe", "Joey"],
    "Samuel": ["Sam", "Sammy"],
    "Benjamin": ["Ben"],
    "Alexander": ["Alex"],
    "Joshua": ["Josh"],
    "Nathan": ["Nate"],
    "Philip": ["Phil"],
    "Peter": ["Pete"],
    "Kenneth": ["Ken", "Kenny"],
    "Alistair": ["Ali"],
    "Gareth": ["Gaz"],
    "Gary": ["Gaz"],
    "Darren": ["Daz"],
    "Patrick": ["Pat", "Paddy"],
    "Edward": ["Ed", "Eddie", "Ted"],
    "Charles": ["Charlie"],
    "Henry": ["Harry"],
    "Frederick": ["Fred", "Freddie"],
    "Mohammed": ["Mo"],
    "Muhammad": ["Mo"],
    "Tomasz": ["Tomek"],
    "Jakub": ["Kuba"],
    "Bradley": ["Brad"],
    "Callum": ["Cal"],
    "Kieran": ["Kie"],
    "Lewis": ["Lew"],
    "Jacob": ["Jake"],
    "Oliver": ["Ollie"],
    "Harrison": ["Harry"],
    "Zac": ["Zack"],
    "Elizabeth": ["Liz", "Beth", "Lizzie"],
    "Rebecca": ["Becky", "Becca"],
    "Samantha": ["Sam", "Sammy"],
    "Victoria": ["Vicky", "Tori"],
    "Jennifer": ["Jen", "Jenny"],
    "Catherine": ["Cath", "Kate", "Cathy"],
    "Nicola": ["Nicky", "Nic"],
    "Charlotte": ["Charlie", "Lottie"],
    "Jessica": ["Jess"],
    "Danielle": ["Dani"],
    "Joanne": ["Jo"],
    "Michelle": ["Shell"],
    "Natalie": ["Nat"],
    "Susan": ["Sue"],
    "Kimberley": ["Kim"],
    "Abigail": ["Abbie", "Abby"],
    "Eleanor": ["Ellie"],
    "Alexandra": ["Alex", "Lexi"],
    "Stephanie": ["Steph"],
    "Margaret": ["Maggie", "Peggy"],
    "Deborah": ["Debbie", "Debs"],
    "Katarzyna": ["Kasia"],
    "Aleksandra": ["Ola"],
    "Agnieszka": ["Aga"],
    "Amelia": ["Millie"],
    "Isabella": ["Bella", "Izzy"],
    "Olivia": ["Liv"],
    "Sophia": ["Sophie"],
    "Matilda": ["Tilly"],
    "Florence": ["Flo"],
    "Evelyn": ["Evie"],
    "Georgia": ["George"],
    "Bethany": ["Beth"],
    "Kayleigh": ["Kay"],
    "Jacqueline": ["Jackie"],
}

# Alternative spellings a clerk might use.
SPELLINGS: dict[str, list[str]] = {
    "Lily": ["Lilly", "Lilley"],
    "Katie": ["Katy", "Katey"],
    "Mohammed": ["Muhammad", "Mohammad"],
    "Muhammad": ["Mohammed"],
    "Stephen": ["Steven"],
    "Steven": ["Stephen"],
    "Zoe": ["Zoey", "Zoë"],
    "Kayleigh": ["Kaylee", "Kayley"],
    "Hayley": ["Haley", "Hailey"],
    "Nicola": ["Nichola"],
    "Rachel": ["Rachael"],
    "Amy": ["Aimee"],
    "Leanne": ["Lianne", "Leann"],
    "Shaun": ["Sean", "Shawn"],
    "Sean": ["Shaun"],
    "Carl": ["Karl"],
    "Karl": ["Carl"],
    "Jayden": ["Jaden", "Jaiden"],
    "Layla": ["Leila", "Laila"],
    "Jon": ["John"],
    "Philip": ["Phillip"],
    "Geoffrey": ["Jeffrey"],
    "Kerry": ["Keri"],
    "Carly": ["Carley"],
    "Lacey": ["Lacie"],
    "Hallie": ["Halle"],
    "Ellie": ["Elly"],
    "Evie": ["Evey"],
    "Freddie": ["Freddy"],
    "Alfie": ["Alfy"],
    "Louie": ["Louis"],
    "Ollie": ["Olly"],
    "Harley": ["Harlee"],
    "Jaxon": ["Jackson"],
    "Aiden": ["Aidan"],
    "Reece": ["Rhys"],
    "Rhys": ["Reece"],
    "Jake": ["Jack"],
    "Sophie": ["Sophia"],
    "Joanne": ["Joann"],
    "Tracey": ["Tracy"],
    "Abigail": ["Abigayle"],
}

_SURNAMES = """
Smith:120 Jones:75 Williams:55 Taylor:50 Brown:48 Davies:35 Evans:28 Wilson:30 Thomas:25 Johnson:30
Roberts:26 Robinson:24 Thompson:26 Wright:26 Walker:24 White:22 Edwards:20 Hughes:19 Green:20
Hall:20 Lewis:18 Harris:18 Clarke:17 Patel:18 Jackson:17 Wood:17 Turner:16 Martin:16 Cooper:16
Hill:16 Ward:15 Morris:14 Moore:14 Clark:14 Lee:13 King:13 Baker:13 Harrison:13 Morgan:12 Allen:12
James:12 Scott:12 Phillips:12 Watson:12 Davis:12 Parker:12 Price:11 Bennett:11 Young:11 Griffiths:10
Mitchell:10 Kelly:10 Cook:10 Carter:10 Richardson:10 Bailey:10 Collins:10 Bell:10 Shaw:10 Murphy:10
Miller:9 Cox:9 Richards:9 Khan:9 Marshall:9 Anderson:9 Simpson:9 Ellis:9 Adams:9 Singh:8 Begum:6
Wilkinson:8 Foster:8 Chapman:8 Powell:8 Webb:8 Rogers:8 Gray:8 Mason:8 Ali:7 Hunt:8 Hussain:6
Campbell:8 Matthews:8 Owen:7 Palmer:7 Holmes:7 Mills:7 Barnes:7 Knight:7 Lloyd:7 Butler:7 Russell:7
Barker:7 Fisher:7 Stevens:7 Jenkins:7 Murray:7 Dixon:7 Harvey:7 Graham:7 Pearson:7 Ahmed:6
Fletcher:6 Walsh:6 Kaur:5 Gibson:6 Howard:6 Andrews:6 Stewart:6 Elliott:6 Reynolds:6 Saunders:6
Payne:6 Fox:6 Ford:6 Pearce:6 Day:6 Brooks:6 West:6 Lawrence:6 Cole:6 Atkinson:6 Bradley:6 Spencer:6
Gill:5 Dawson:5 Ball:5 Burton:5 O'Brien:5 Watts:5 Rose:5 Booth:5 Perry:5 Ryan:5 Grant:5 Wells:5
Armstrong:5 Francis:5 Rees:5 Hayes:5 Hart:5 Hudson:5 Newman:5 Barrett:5 Webster:5 Hunter:5 Gregory:5
Carr:5 Lowe:5 Page:5 Marsh:5 Riley:5 Dunn:5 Woods:5 Parsons:5 Berry:5 Stone:5 Reid:5 Holland:5
Hawkins:5 Harding:5 Porter:5 Robertson:5 Newton:5 Oliver:5 Reed:5 Kennedy:5 Williamson:5 Bird:5
Gardner:5 Shah:4 Dean:5 Lane:5 Cooke:5 Bates:5 Henderson:5 Parry:5 Burgess:5 Bishop:5 Walton:5
Burns:5 Nicholson:5 Shepherd:5 Ross:5 Cross:5 Long:5 Freeman:5 Warren:5 Nicholls:5 Hamilton:5
Byrne:5 Sutton:5 McDonald:5 Yates:5 Hodgson:5 Robson:5 Curtis:5 Hopkins:5 O'Connor:4 Harper:5
Coleman:5 Watkins:5 Moss:5 McCarthy:4 Chambers:5 O'Neill:4 Griffin:4 Sharp:4 Hardy:4 Wheeler:4
Potter:4 Osborne:4 Johnston:4 Gordon:4 Doyle:4 Wallace:4 George:4 Jordan:4 Hutchinson:4 Rowe:4
Burke:4 May:4 Pritchard:4 Gilbert:4 Willis:4 Higgins:4 Read:4 Miles:4 Stevenson:4 Stephenson:4
Hammond:4 Arnold:4 Buckley:4 Walters:4 Hewitt:4 Barber:4 Nelson:4 Slater:4 Austin:4 Sullivan:4
Whitehead:4 Mann:4 Frost:4 Lambert:4 Stephens:4 Blake:4 Akhtar:3 Lynch:4 Goodwin:4 Barton:4
Woodward:4 Thomson:4 Cunningham:4 Quinn:4 Barnett:4 Baxter:4 Bibi:3 Clayton:4 Nash:4 Greenwood:4
Jennings:4 Holt:4 Kemp:4 Poole:4 Gallagher:4 Bond:4 Stokes:4 Tucker:4 Davidson:4 Fowler:4 Heath:4
Norman:4 Middleton:4 Lawson:4 Banks:4 French:4 Stanley:4 Jarvis:4 Gibbs:4 Ferguson:4 Hayward:4
Carroll:4 Douglas:4 Dickinson:4 Todd:4 Barlow:4 Peters:4 Lucas:4 Knowles:4 Hartley:4 Miah:3
Simmons:4 Morton:4 Alexander:4 Field:4 Morrison:4 Norris:4 Townsend:4 Preston:4 Hancock:4
Thornton:4 Baldwin:4 Burrows:4 Briggs:4 Storey:3 Pugh:3 Kowalski:3 Nowak:3 Wisniewski:2 Wojcik:2
Kaminski:2 Lewandowski:2 Zielinski:2 Mazur:2 Krawczyk:2 Mackenzie:3 MacDonald:3 Fraser:3 Munro:3
Cameron:3 Sinclair:3 Duncan:3 Ritchie:3 Paterson:3 McLean:3 McKay:3 Docherty:3 McGuire:3 Brennan:3
"""
SURNAMES = _parse(_SURNAMES)

# A long tail of rarer English place-name surnames, so that most surnames are not in the list above.
_TAIL_A = "Ash Black Brad Brom Cald Cran Dal Ether Fair Garn Hal Hol Kirk Lang Mar Nor Oak Pen Rad Sher Stan Thorn Wal Whit Win Al Bar Brent Chat Dun Eding Hather Lox Mid Pad Rush Sel Tad Up Wes".split()
_TAIL_B = (
    "ley ton worth wood ford field by ham well more combe croft hurst wick den stone bridge over".split()
)
TAIL_SURNAMES = [a + b for a in _TAIL_A for b in _TAIL_B]
TAIL_WEIGHT_EACH = 2.2  # the tail is about 45% of people

# A few common names get flagged as a linkage trap: they recur among unrelated people.
COMMON_SURNAMES = {
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Wilson",
    "Johnson",
    "Thompson",
    "Wright",
}
COMMON_FORENAMES = {
    "Jack",
    "James",
    "Daniel",
    "David",
    "Oliver",
    "Thomas",
    "Michael",
    "Christopher",
    "Sarah",
    "Emma",
    "Laura",
    "Amelia",
    "Olivia",
    "Lily",
    "Mark",
    "Paul",
    "Andrew",
    "Harry",
}
